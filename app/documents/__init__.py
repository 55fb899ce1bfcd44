"""Generated documents (PDF): the application form (申请表) and whatever follows.

fonts.cjk_font() finds the CJK font the PDFs embed; render.render_pdf() turns a template
under templates/documents/ into PDF bytes with xhtml2pdf.
"""
