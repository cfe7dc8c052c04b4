// placeholder (issue 17): fp16 rounding, filled by its own commit
