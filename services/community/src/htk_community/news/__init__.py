"""News of the plan's implementation: coordinators publish it in Finnish, Swedish and English;
readers of a language it lacks see another one, marked. Lists, an archive and an Atom feed per
language."""
