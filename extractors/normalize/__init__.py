"""bytes → text: decoding, HTML flattening, script conversion, label and number normalization."""
