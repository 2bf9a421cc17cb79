#!/usr/bin/env bash
# Stop what up.sh started on its own: the local Kafka broker only. The
# machine's PostgreSQL and Redis are shared and are left running on purpose.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$DIR/kafka.sh" stop
