"""The deal canvas: a scene that follows the document, its items, the view and mouse modes."""
