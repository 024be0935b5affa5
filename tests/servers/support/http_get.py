"""GET a URL from inside a test's network namespace; prints the status line, then the body.

Usage: http_get.py URL. Any HTTP status is printed, not raised; a connection failure exits 1.
"""
import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
        status, headers, body = response.status, response.headers, response.read()
except urllib.error.HTTPError as error:
    status, headers, body = error.code, error.headers, error.read()
sys.stdout.write(f"{status} {headers.get('content-type', '')}\n")
sys.stdout.write(body.decode("utf-8"))
