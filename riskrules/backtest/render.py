def render_rich(*a): pass
