#!/usr/bin/env bash
# Start Redis, PostgreSQL and RabbitMQ if they are not running (the
# commands of this machine kind, python-svc); the functional tests use them
# for real (RabbitMQ: the second pass of the suite, and the redelivery test).
set -u
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
if command -v rabbitmq-server >/dev/null && ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  echo "starting rabbitmq"
  rabbitmq-server -detached
  rabbitmq-diagnostics -q --timeout 60 await_startup || { echo "rabbitmq did not come up" >&2; exit 1; }
fi
for _ in $(seq 1 60); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q && exit 0
  sleep 0.5
done
echo "redis or postgresql did not come up" >&2
exit 1
