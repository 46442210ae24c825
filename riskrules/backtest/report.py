def render_html(*a): pass
def write_html(*a): pass
