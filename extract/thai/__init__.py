"""Thai conventions the parsers share: Buddhist Era dates, Thai digits and text, province names."""
