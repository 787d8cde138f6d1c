"""Magic links by email: send a link, and sign the user in when they click it."""
