"""audit ledger: lock-free append, seals in their own table, append-only triggers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 15:00:00

Records no longer carry a hash and no chain head is locked: the database numbers each record
(and on PostgreSQL stamps the writer's transaction id and the time), and the sealer writes the
keyed chain into ``audit_seals`` after commit. Existing records keep their rows (xid 0, so they
come first) and are sealed into the new chain by the first sealer round; run ``audit verify``
with the old code before upgrading, since their SHA-256 links are dropped here. Triggers
refuse UPDATE, DELETE and TRUNCATE on both tables: run migrations as the tables' owner and the
app as a role with SELECT and INSERT only (README).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("audit_records", "audit_seals")

POSTGRES_FUNCTIONS = (
    """
    CREATE FUNCTION audit_records_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- The database, not the client, fixes a record's number, transaction and time.
        NEW.seq := nextval('audit_records_seq_seq');
        NEW.xid := pg_current_xact_id()::text::bigint;
        NEW.occurred_at := clock_timestamp();
        RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
)


def _postgres_triggers() -> list[str]:
    """The stamping trigger, then row and TRUNCATE triggers refusing change on both tables."""
    statements = [
        "CREATE TRIGGER audit_records_stamp BEFORE INSERT ON audit_records "
        "FOR EACH ROW EXECUTE FUNCTION audit_records_stamp()"
    ]
    for table in TABLES:
        statements += [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ]
    return statements


def _sqlite_triggers() -> list[str]:
    """BEFORE UPDATE and BEFORE DELETE triggers that abort, on both tables."""
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for table in TABLES
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("xid", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("hash")
        batch_op.create_index("ix_audit_records_position", ["xid", "seq"], unique=False)
    op.create_table(
        "audit_seals",
        sa.Column(
            "chain_index",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "record_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_seq"],
            ["audit_records.seq"],
            name=op.f("fk_audit_seals_record_seq_audit_records"),
        ),
        sa.PrimaryKeyConstraint("chain_index", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("record_seq", name=op.f("uq_audit_seals_record_seq")),
    )
    op.drop_table("audit_chain_head")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_records_seq_seq AS bigint OWNED BY audit_records.seq")
        op.execute(
            "SELECT setval('audit_records_seq_seq', COALESCE(MAX(seq), 0) + 1, false) "
            "FROM audit_records"
        )
        for statement in (*POSTGRES_FUNCTIONS, *_postgres_triggers()):
            op.execute(statement)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    """Revert this migration (the chain's links are not restored: old hashes are blank)."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER audit_records_stamp ON audit_records")
        op.execute("DROP FUNCTION audit_records_stamp()")
        op.execute("DROP FUNCTION audit_refuse_change()")
        op.execute("DROP SEQUENCE audit_records_seq_seq")
    else:
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{verb}")
    op.drop_table("audit_seals")
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    last = op.get_bind().scalar(sa.text("SELECT COALESCE(MAX(seq), 0) FROM audit_records"))
    op.bulk_insert(head, [{"id": 1, "last_seq": last, "last_hash": "0" * 64}])
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_position")
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), server_default="0" * 64, nullable=False)
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), server_default="0" * 64, nullable=False)
        )
        batch_op.drop_column("xid")
