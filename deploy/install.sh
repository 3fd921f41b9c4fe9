#!/bin/sh
# Install jingzhun on one Debian 12 server, as root, from a checkout of the project:
#   sudo sh deploy/install.sh jz.example.gov.cn
# Re-running it upgrades the code and keeps the data, the settings and the keys.
# Steps and reasons: docs/deployment.md.
set -eu
DOMAIN=${1:?usage: install.sh DOMAIN}
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
APP=/opt/jingzhun

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx python3-venv rsync logrotate

id jingzhun >/dev/null 2>&1 || useradd --system --home-dir /var/lib/jingzhun --shell /usr/sbin/nologin jingzhun
install -d -o jingzhun -g jingzhun -m 750 /var/lib/jingzhun /var/log/jingzhun /var/backups/jingzhun
install -d -o root -g jingzhun -m 750 /etc/jingzhun /etc/jingzhun/tls

# The code, its locked dependencies (no development tools) and the static files.
rsync -a --delete --exclude .git --exclude .venv --exclude var "$SOURCE/" "$APP/"
python3 -m venv "$APP/.venv"
"$APP/.venv/bin/pip" install --quiet uv
(cd "$APP" && UV_PROJECT_ENVIRONMENT="$APP/.venv" "$APP/.venv/bin/uv" sync --frozen --no-dev --quiet)

# The database and its owner (peer authentication over the local socket).
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'jingzhun'" | grep -q 1 \
  || runuser -u postgres -- createuser jingzhun
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'jingzhun'" | grep -q 1 \
  || runuser -u postgres -- createdb --owner jingzhun --encoding UTF8 jingzhun

# Settings: made once with a random secret key, then left to the administrator.
if [ ! -f /etc/jingzhun/jingzhun.env ]; then
  key=$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")
  field_key=$(python3 -c "import base64, os; print('k1:' + base64.b64encode(os.urandom(32)).decode())")
  index_key=$(python3 -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())")
  sed -e "s|^JINGZHUN_SECRET_KEY=.*|JINGZHUN_SECRET_KEY=$key|" \
      -e "s|^JINGZHUN_FIELD_KEYS=.*|JINGZHUN_FIELD_KEYS=$field_key|" \
      -e "s|^JINGZHUN_INDEX_KEY=.*|JINGZHUN_INDEX_KEY=$index_key|" \
      -e "s|jz.example.gov.cn|$DOMAIN|g" "$APP/deploy/jingzhun.env.example" > /etc/jingzhun/jingzhun.env
  chown root:jingzhun /etc/jingzhun/jingzhun.env && chmod 640 /etc/jingzhun/jingzhun.env
  echo "Edit /etc/jingzhun/jingzhun.env (backup passphrase) and put the TLS certificate in /etc/jingzhun/tls/."
fi

run() { runuser -u jingzhun -- env $(grep -v '^#' /etc/jingzhun/jingzhun.env | xargs) "$APP/.venv/bin/jingzhun" "$@"; }
(cd "$APP" && run migrate --no-input && run collectstatic --no-input -v 0 && run check --deploy --fail-level WARNING)
install -d -m 755 "$APP/static" && cp -r /var/lib/jingzhun/static/. "$APP/static/"

install -m 644 "$APP"/deploy/systemd/* /etc/systemd/system/
install -m 644 "$APP/deploy/logrotate/jingzhun" /etc/logrotate.d/jingzhun
sed "s|jz.example.gov.cn|$DOMAIN|g" "$APP/deploy/nginx/jingzhun.conf" > /etc/nginx/sites-available/jingzhun
ln -sf /etc/nginx/sites-available/jingzhun /etc/nginx/sites-enabled/jingzhun
systemctl daemon-reload
systemctl enable --now jingzhun-web jingzhun-worker jingzhun-backup.timer jingzhun-audit.timer jingzhun-night.timer
systemctl restart jingzhun-web jingzhun-worker
nginx -t && systemctl reload nginx
echo "jingzhun is served at https://$DOMAIN/ (create the first administrator with: jingzhun createsuperuser)"
