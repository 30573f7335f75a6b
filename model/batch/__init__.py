"""Scenario batches: experiments, local process pool and Dask, a results store that resumes."""
