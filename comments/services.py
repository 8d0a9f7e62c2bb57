"""Every write to comments: one service function per action (see DESIGN.md)."""
