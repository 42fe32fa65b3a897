-- 0006: failed console sign-ins, counted here so that every replica
-- throttles a password guesser against the same count (they were counted
-- in each process's memory before). See the package comment for the
-- picture.
--
-- Conventions as in 0001 (TIMESTAMPTZ times). The key is the sign-in
-- service's hex SHA-256 of an account and a user name: not tied to an
-- account row, since attempts name accounts and users that do not exist
-- too, and never the attacker's text itself.
CREATE TABLE signin_failures (
    key      TEXT        PRIMARY KEY,
    first_at TIMESTAMPTZ NOT NULL,
    count    INTEGER     NOT NULL
);

-- DeleteBefore's purge.
CREATE INDEX signin_failures_first_at ON signin_failures (first_at);
