// placeholder (issue 17): filled by its own commit
