// placeholder: filled by issue 18's work
