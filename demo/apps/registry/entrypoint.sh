#!/bin/sh
# registry:2's entrypoint, word for word in effect: a config file alone means
# `registry serve FILE`, a registry subcommand gets the program name in front,
# anything else (a shell, say) runs as given.
set -e
case "$1" in
  *.yaml | *.yml) set -- registry serve "$@" ;;
  serve | garbage-collect | help | -*) set -- registry "$@" ;;
esac
exec "$@"
