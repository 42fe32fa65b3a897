-- 0005: IAM credential reports, kept here so that a report generated
-- through one replica is the report every replica serves. See the package
-- comment for the picture.
--
-- Conventions as in 0001 (STRICT, unix-microsecond times, NULL for the zero
-- time); content is a BLOB, byte for byte, as manifests' is in 0002.

-- Each account's last generated report, one row per account: a new one
-- replaces it. Deleting an account deletes its report.
CREATE TABLE credential_reports (
    account_pk   INTEGER PRIMARY KEY REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    generated_at INTEGER,
    content      BLOB    NOT NULL
) STRICT;
