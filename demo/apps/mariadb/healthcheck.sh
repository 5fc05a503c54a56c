#!/usr/bin/env bash
# Healthy when the server answers a query over TCP, as the account made for
# this at initialisation (entrypoint.sh), so that the temporary server of the
# first start (no networking) never counts as healthy and no failed login
# lands in the log every 10 s. A data directory made elsewhere has no such
# account: then the server's greeting on port 3306 is taken as the answer.
# Arguments (those of the official mariadb image's healthcheck.sh, such as
# --connect) are accepted and ignored, so that one compose file suits both.
set -eu
cnf=/var/lib/mysql/.my-healthcheck.cnf
if [ -r "$cnf" ]; then
  exec mariadb --defaults-extra-file="$cnf" --connect-timeout=2 --batch --skip-column-names -e 'SELECT 1' >/dev/null
fi
exec 3<>/dev/tcp/127.0.0.1/3306
[ "$(head -c 4 <&3 | wc -c)" = 4 ]
