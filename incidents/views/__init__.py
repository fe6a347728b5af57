"""Browser pages of the incidents app, one module per area; ``incidents.urls`` routes them."""
