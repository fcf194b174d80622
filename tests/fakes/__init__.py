"""In-memory fakes of our own repositories, held to the same contract suite as the moto-backed ones
(tests/contract): fast service tests without moto, never mocks of our own code."""
