"""Moving files out of and into the hub: remote folders (FTP, FTPS, SFTP) and e-mail."""
