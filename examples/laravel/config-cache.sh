#!/bin/sh
# Deploy step for a Laravel app, run from its root: caches the
# configuration with the secrets of $KEEP_ENV (default production).
# artisan gets exactly the variables of env/<env>.env, placeholders filled
# in; Laravel writes them into bootstrap/cache/config.php, which php-fpm
# then reads: it needs neither keep nor a .env at run time. That file holds
# the secrets: keep it out of images and repositories, readable by the app
# only.
set -eu
KEEP_ENV=${KEEP_ENV:-production}
export KEEP_ENV
keep run --template=auto -- php artisan config:cache
