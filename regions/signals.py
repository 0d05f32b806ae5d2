"""Signals the regions app sends; the apps that depend on the directory receive them.

The regions app imports no app above it: whoever needs to react to a new directory
(the figures, whose denominators are its populations) connects a receiver.
"""

from django.dispatch import Signal

# Sent inside the import's transaction after municipalities were created or changed
# (sender: the Municipality model). A receiver's writes commit or roll back with the import.
directory_changed = Signal()
