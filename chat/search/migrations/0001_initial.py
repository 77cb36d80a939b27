"""The posting table, written per database because Django cannot say "WITHOUT ROWID" or give
one column a binary collation on every backend."""

from django.db import migrations, models

SQLITE = [
    "CREATE TABLE chatsearch_posting ("
    " token varchar(32) NOT NULL,"
    " message_id bigint NOT NULL,"
    " channel_id bigint NOT NULL,"
    " PRIMARY KEY (token, message_id)) WITHOUT ROWID",
    "CREATE INDEX chatsearch_posting_message ON chatsearch_posting (message_id)",
]
MYSQL = [
    "CREATE TABLE chatsearch_posting ("
    " token varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
    " message_id bigint NOT NULL,"
    " channel_id bigint NOT NULL,"
    " PRIMARY KEY (token, message_id),"
    " KEY chatsearch_posting_message (message_id)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
]
POSTGRES = [
    "CREATE TABLE chatsearch_posting ("
    ' token varchar(32) COLLATE "C" NOT NULL,'
    " message_id bigint NOT NULL,"
    " channel_id bigint NOT NULL,"
    " PRIMARY KEY (token, message_id))",
    "CREATE INDEX chatsearch_posting_message ON chatsearch_posting (message_id)",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "mysql": MYSQL, "postgresql": POSTGRES}[vendor]
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE chatsearch_posting")


class Migration(migrations.Migration):
    initial = True

    dependencies = [("chat", "0002_more_chat")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[
                migrations.CreateModel(
                    name="Posting",
                    fields=[
                        ("pk", models.CompositePrimaryKey("token", "message_id", blank=True, editable=False, primary_key=True, serialize=False)),
                        ("token", models.CharField(max_length=32)),
                        ("message_id", models.BigIntegerField()),
                        ("channel_id", models.BigIntegerField()),
                    ],
                    options={
                        "db_table": "chatsearch_posting",
                        "verbose_name": "search posting",
                        "verbose_name_plural": "search postings",
                    },
                ),
            ],
        ),
    ]
