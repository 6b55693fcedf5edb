"""One turn of an interview, from the candidate's message to the interviewer's reply: classify the
message, the plan of rounds, the policy that decides the next action, the engine that runs it."""
