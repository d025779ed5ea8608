"""The conversation: the Teams activity handler (routing only), one module per flow."""
