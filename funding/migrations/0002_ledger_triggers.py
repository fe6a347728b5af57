"""PostgreSQL guards of the ledger, below the application:

* a posted transaction and its legs cannot be updated or deleted, and no leg can be added
  to a posted transaction;
* at commit (a deferred constraint trigger), the legs of every posted transaction sum to
  zero, whichever statement posted it.

SQLite relies on the models and services, which refuse the same.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION funding_refuse_posted_change() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'funding_transaction' THEN
        IF OLD.status = 'posted' THEN
            RAISE EXCEPTION 'posted transaction % is history: reverse it instead', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSIF EXISTS (
        SELECT 1 FROM funding_transaction t
        WHERE t.id = COALESCE(OLD.transaction_id, NEW.transaction_id) AND t.status = 'posted'
    ) THEN
        RAISE EXCEPTION 'legs of posted transaction % are history',
            COALESCE(OLD.transaction_id, NEW.transaction_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_transaction_immutable
    BEFORE UPDATE OR DELETE ON funding_transaction
    FOR EACH ROW EXECUTE FUNCTION funding_refuse_posted_change();

CREATE TRIGGER funding_leg_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON funding_leg
    FOR EACH ROW EXECUTE FUNCTION funding_refuse_posted_change();

CREATE FUNCTION funding_check_balanced() RETURNS trigger AS $$
DECLARE
    txn bigint;
    total numeric;
BEGIN
    IF TG_TABLE_NAME = 'funding_transaction' THEN
        txn := NEW.id;
    ELSE
        txn := NEW.transaction_id;
    END IF;
    IF EXISTS (SELECT 1 FROM funding_transaction WHERE id = txn AND status = 'posted') THEN
        SELECT COALESCE(SUM(amount), 0) INTO total FROM funding_leg WHERE transaction_id = txn;
        IF total <> 0 THEN
            RAISE EXCEPTION 'the legs of posted transaction % sum to %, not zero', txn, total
                USING ERRCODE = 'check_violation';
        END IF;
        IF (SELECT COUNT(*) FROM funding_leg WHERE transaction_id = txn) < 2 THEN
            RAISE EXCEPTION 'posted transaction % has fewer than two legs', txn
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funding_transaction_balanced
    AFTER INSERT OR UPDATE ON funding_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_check_balanced();

CREATE CONSTRAINT TRIGGER funding_leg_balanced
    AFTER INSERT OR UPDATE ON funding_leg
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_check_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funding_leg_balanced ON funding_leg;
DROP TRIGGER IF EXISTS funding_transaction_balanced ON funding_transaction;
DROP FUNCTION IF EXISTS funding_check_balanced();
DROP TRIGGER IF EXISTS funding_leg_immutable ON funding_leg;
DROP TRIGGER IF EXISTS funding_transaction_immutable ON funding_transaction;
DROP FUNCTION IF EXISTS funding_refuse_posted_change();
"""


def _run(schema_editor, sql: str) -> None:
    # A cursor without parameters: the messages' "%" placeholders are PL/pgSQL's own.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_ledger_budgets_flags")]

    operations = [migrations.RunPython(forward, backward)]
