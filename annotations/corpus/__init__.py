"""Reading corpora: find input files, decode them, and turn them into Documents.

* :mod:`.discover` walks paths and says what kind each input is;
* :mod:`.encoding` decodes bytes (UTF-8, BOMs, cp1252 and latin-1 news dumps...);
* :mod:`.readers` reads one input into :class:`~annotations.model.Document` objects
  (regular files only, none over the size limit: :mod:`annotations.input_files`);
* :mod:`.controls` makes outside text as stored: controls removed (counted), offsets moved;
* :mod:`.annotation_files` recognises exported annotations (jsonl, doccano, Label
  Studio) and reads them with their format's reader.
"""
