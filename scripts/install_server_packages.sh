#!/bin/sh
# Installs the Debian packages that `deno task test:servers` needs: the daemons its tests start
# inside network namespaces and the reference clients they compare portset with. Only missing
# packages are installed, so a second run does nothing; it prints one line when it installs.
#
# No daemon is started by the installation: a daemon started by its package would listen on
# the host, outside the tests' namespaces, and hold the ports the tests use. (On a host run by
# systemd the services stay enabled for the next boot; this is meant for CI and development
# machines. Note that chrony replaces systemd-timesyncd where that is installed.)
set -eu

# iproute2: ip netns, ss. iptables: the firewall rules nmap and portset are compared through.
# python3: listeners, and a raw read of the FTP greeting. dnsutils: dig. snmp: snmpget.
# samba-common-bin: nmblookup, samba-tool. smbclient: Samba's client tools.
# samba-ad-provision, samba-dsdb-modules, samba-vfs-modules: what `samba-tool domain provision`
# needs for a domain controller (the schema, the directory's modules, the ACL module), without
# samba-ad-dc itself, which pulls in winbind and changes nsswitch.conf. python3-impacket: a
# second reader of the endpoint map. freetds-bin: tsql, a client of the SQL Server browser.
# rsyslog, rsyslog-gnutls, gnutls-bin: the syslog daemon portset's events go through, its TLS
# module, and certtool for the tests' certificates.
# prometheus (with promtool) and prometheus-node-exporter: the metrics test's scraper, rule
# checker and textfile collector.
# podman and runc: a real container whose sockets portset must tie to it (no image is pulled;
# runc because Debian's crun refuses hybrid cgroup hosts).
PACKAGES="
iproute2
iptables
python3
dnsmasq
dnsutils
chrony
snmpd
snmp
samba
samba-common-bin
smbclient
samba-ad-provision
samba-dsdb-modules
samba-vfs-modules
ldap-utils
vsftpd
nmap
python3-impacket
freetds-bin
rsyslog
rsyslog-gnutls
gnutls-bin
prometheus
prometheus-node-exporter
podman
runc
"

missing=""
for pkg in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q ' installed$'; then
    missing="$missing $pkg"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install_server_packages.sh: root is needed to install:$missing" >&2
  exit 1
fi

# Debian's maintainer scripts ask policy-rc.d before starting a service; 101 means "not now".
# Only a policy-rc.d made here is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
  trap 'exit 1' INT TERM
fi

echo "install_server_packages.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 $missing >/dev/null
