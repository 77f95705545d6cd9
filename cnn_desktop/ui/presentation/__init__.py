"""The presentation layout of lessons: the slide's grids, large enough for the back row."""
