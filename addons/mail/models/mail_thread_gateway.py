"""(placeholder: being written) the gateway side of mail.thread."""
