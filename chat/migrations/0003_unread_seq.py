"""Unread counts without counting: ``Message.seq`` (1, 2, 3, … per channel in id order),
``Channel.last_seq`` (the newest message's seq) and ``Membership.last_read_seq`` (the seq at the
read pointer). The backfill numbers existing rows in a few set-based statements (a window
function over the messages, then one correlated count per channel and one primary-key lookup per
membership), never a loop over messages; it runs on SQLite (3.33+), MariaDB/MySQL and
PostgreSQL."""

from django.db import migrations, models

NUMBER_MESSAGES = {
    # MariaDB/MySQL: a multi-table UPDATE with the numbered ids as a derived table.
    "mysql": (
        "UPDATE chat_message m JOIN (SELECT id, ROW_NUMBER() OVER"
        " (PARTITION BY channel_id ORDER BY id) AS rn FROM chat_message) r ON r.id = m.id"
        " SET m.seq = r.rn"
    ),
    # SQLite 3.33+ and PostgreSQL: UPDATE … FROM.
    "default": (
        "UPDATE chat_message SET seq = r.rn FROM (SELECT id, ROW_NUMBER() OVER"
        " (PARTITION BY channel_id ORDER BY id) AS rn FROM chat_message) AS r"
        " WHERE chat_message.id = r.id"
    ),
}

# A channel's messages are numbered 1..n, so its last seq is its message count (index-only).
CHANNEL_LAST_SEQ = (
    "UPDATE chat_channel SET last_seq ="
    " (SELECT COUNT(*) FROM chat_message m WHERE m.channel_id = chat_channel.id)"
)

# Read pointers are message ids (posting and marking read set them so): a primary-key lookup.
MEMBERSHIP_EXACT = (
    "UPDATE chat_membership SET last_read_seq = COALESCE((SELECT m.seq FROM chat_message m"
    " WHERE m.id = chat_membership.last_read_message_id"
    " AND m.channel_id = chat_membership.channel_id), 0)"
    " WHERE last_read_message_id > 0"
)
# A pointer that is not one of the channel's message ids (an old clamp to a gap): count.
MEMBERSHIP_OTHER = (
    "UPDATE chat_membership SET last_read_seq = (SELECT COUNT(*) FROM chat_message m"
    " WHERE m.channel_id = chat_membership.channel_id"
    " AND m.id <= chat_membership.last_read_message_id)"
    " WHERE last_read_message_id > 0 AND last_read_seq = 0"
)


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(NUMBER_MESSAGES.get(connection.vendor, NUMBER_MESSAGES["default"]))
        cursor.execute(CHANNEL_LAST_SEQ)
        cursor.execute(MEMBERSHIP_EXACT)
        cursor.execute(MEMBERSHIP_OTHER)


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_more_chat")]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="last_seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="membership",
            name="last_read_seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="message",
            name="seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
