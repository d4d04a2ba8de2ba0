#!/usr/bin/env bash
# Installs the built appliance as a systemd service:
#   <prefix>/vpce (the launcher), <prefix>/lib/*.jar, <prefix>/README.md,
#   /etc/vpce/vpce.yaml (the default configuration, only when there is none),
#   /etc/systemd/system/vpce.service, and the system user vpce.
# Usage: systemd/install.sh [--prefix /opt/vpce] [--destdir DIR] [--no-build]
#   --destdir stages everything under DIR (packaging, tests): no user, no systemctl.
# Then: systemctl enable --now vpce (after editing /etc/vpce/vpce.yaml).
set -euo pipefail

SOURCE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PREFIX=/opt/vpce
DESTDIR=""
BUILD=yes
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
        --destdir) DESTDIR="${2:?--destdir needs a directory}"; shift 2 ;;
        --no-build) BUILD=no; shift ;;
        *) die "unknown argument $1 (see the comment at the top)" ;;
    esac
done
case "$PREFIX" in /*) ;; *) die "--prefix must be absolute: $PREFIX" ;; esac
[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || die "run as root (or stage with --destdir)"

if [ "$BUILD" = yes ]; then
    (cd "$SOURCE" && mvn -B -q -ntp -DskipTests install) || die "build failed"
fi
[ -f "$SOURCE/appliance/target/appliance.jar" ] || die "no appliance/target/appliance.jar: build first (mvn -DskipTests install)"

root="$DESTDIR$PREFIX"
# A fresh lib/: jars of an older version must not stay on the classpath.
rm -rf "$root/lib.new"
install -d -m 755 "$root" "$root/lib.new"
install -m 644 "$SOURCE/appliance/target/appliance.jar" "$SOURCE"/appliance/target/lib/*.jar "$root/lib.new/"
rm -rf "$root/lib"
mv "$root/lib.new" "$root/lib"
install -m 755 "$SOURCE/vpce" "$root/vpce"
install -m 644 "$SOURCE/README.md" "$root/README.md"
install -d -m 755 "$DESTDIR/usr/local/bin"
ln -sfn "$PREFIX/vpce" "$DESTDIR/usr/local/bin/vpce"

install -d -m 755 "$DESTDIR/etc/vpce"
if [ ! -e "$DESTDIR/etc/vpce/vpce.yaml" ]; then
    install -m 640 "$SOURCE/systemd/vpce.yaml" "$DESTDIR/etc/vpce/vpce.yaml"
fi
install -d -m 755 "$DESTDIR/etc/systemd/system"
sed -e "s#/opt/vpce/#$PREFIX/#g" "$SOURCE/systemd/vpce.service" > "$DESTDIR/etc/systemd/system/vpce.service"
chmod 644 "$DESTDIR/etc/systemd/system/vpce.service"

if [ -z "$DESTDIR" ]; then
    if ! id -u vpce >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /var/lib/vpce --shell /usr/sbin/nologin vpce
    fi
    chgrp vpce /etc/vpce/vpce.yaml
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
    fi
fi
echo "installed vpce in $root; configuration $DESTDIR/etc/vpce/vpce.yaml; unit $DESTDIR/etc/systemd/system/vpce.service"
