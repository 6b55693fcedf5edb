-- Mood reports; NULL mood means the user skipped the prompt. Users who were only ever
-- excited, excited with skipped prompts, only skipped, excited and then bored, never excited.

CREATE TABLE user_mood (
    user_id   INTEGER NOT NULL,
    logged_at TIMESTAMP NOT NULL,
    mood      VARCHAR                   -- lower-case label, NULL when skipped
);

INSERT INTO user_mood VALUES
    (1, TIMESTAMP '2024-04-01 08:00:00', 'excited'),
    (1, TIMESTAMP '2024-04-02 08:00:00', 'excited'),
    (1, TIMESTAMP '2024-04-03 08:00:00', 'excited'),
    (2, TIMESTAMP '2024-04-01 09:00:00', 'excited'),
    (2, TIMESTAMP '2024-04-02 09:00:00', NULL),
    (2, TIMESTAMP '2024-04-04 09:00:00', 'excited'),
    (3, TIMESTAMP '2024-04-01 10:00:00', NULL),
    (3, TIMESTAMP '2024-04-05 10:00:00', NULL),
    (4, TIMESTAMP '2024-04-01 11:00:00', 'excited'),
    (4, TIMESTAMP '2024-04-02 11:00:00', 'excited'),
    (4, TIMESTAMP '2024-04-03 11:00:00', 'bored'),
    (5, TIMESTAMP '2024-04-02 12:00:00', 'happy'),
    (5, TIMESTAMP '2024-04-03 12:00:00', NULL),
    (6, TIMESTAMP '2024-04-06 13:00:00', 'excited'),
    (7, TIMESTAMP '2024-04-01 14:00:00', NULL),
    (7, TIMESTAMP '2024-04-02 14:00:00', 'bored'),
    (7, TIMESTAMP '2024-04-03 14:00:00', 'excited'),
    (8, TIMESTAMP '2024-04-01 15:00:00', 'excited'),
    (8, TIMESTAMP '2024-04-01 15:00:00', 'excited');
