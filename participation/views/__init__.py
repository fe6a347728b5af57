"""Staff pages of the participation app, one module per concern."""
