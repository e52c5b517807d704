"""The embedded demo's data: builders that write the committed files under data/demo/."""
