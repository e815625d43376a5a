#!/bin/sh
# The same with a .env file, for code that reads .env itself: keep renders
# env/<env>.env to .env (0600; an existing .env is refused), runs artisan,
# and deletes .env when it ends.
set -eu
KEEP_ENV=${KEEP_ENV:-production}
export KEEP_ENV
keep run --template=auto --output=.env -- php artisan config:cache
