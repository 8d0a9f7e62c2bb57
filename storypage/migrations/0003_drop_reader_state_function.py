"""The reader's state is read by a plain statement again (storypage.section).

The PL/pgSQL function of 0002 kept its plans per connection, which spared
PostgreSQL planning the statement on every signed-in story page; measured
alone in `make bench` it stayed under the bar an optimisation must clear
(README, "Every optimisation earns its place"), so it goes.
"""

from importlib import import_module

from django.db import migrations

created = import_module("storypage.migrations.0002_reader_state_function")


class Migration(migrations.Migration):
    dependencies = [("storypage", "0002_reader_state_function")]

    operations = [migrations.RunSQL(created.DROP, reverse_sql=created.CREATE)]
