"""Qt-free state that the views draw and the user's gestures change."""
