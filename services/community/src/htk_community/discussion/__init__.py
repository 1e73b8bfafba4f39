"""Discussion: threads with replies on actions, sub-goals, measures and open topics."""
