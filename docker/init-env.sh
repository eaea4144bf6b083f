#!/bin/sh
# Writes docker/.env with fresh random secrets for the local compose stack.
# Local only: production secrets are generated in AWS Secrets Manager by the CDK stack.
set -eu
cd "$(dirname "$0")"
if [ -e .env ]; then
  echo "docker/.env exists. To regenerate, delete it and the volumes (docker compose ... down -v):" >&2
  echo "Postgres keeps the password it was initialised with." >&2
  exit 1
fi
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('$2'))"; }
umask 077
cat > .env <<ENV
POSTGRES_PASSWORD=$(random 24 hex)
DATABASE_APP_PASSWORD=$(random 24 hex)
DATABASE_PLATFORM_PASSWORD=$(random 24 hex)
REDIS_PASSWORD=$(random 24 hex)
JWT_SECRET=$(random 48 hex)
ENCRYPTION_KEY=$(random 32 base64)
SUPER_ADMIN_USERNAME=superadmin
SUPER_ADMIN_PASSWORD=$(random 18 hex)
ENV
echo "wrote docker/.env; the super admin password is SUPER_ADMIN_PASSWORD in that file"
