"""HTML templates of the documents and their rendering to PDF (xhtml2pdf)."""
