"""The emulator's HTTP surfaces beyond the pipeline in `app.py`.

routes/
  graph.py   GraphService: what one Graph call does (contract §1, §2, §4, §6)
  batch.py   run_batch: the `$batch` envelope and its items (contract §7)
  admin.py   `/_emulator/...`: health, state, reset, stats, faults (contract §10)
"""
