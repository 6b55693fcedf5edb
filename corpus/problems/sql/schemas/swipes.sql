-- Swipes in a two-variant experiment. Each user is in one variant; timestamps are unique
-- within a user. Users with more than 10 swipes whose later swipes differ from their first
-- ten, users with exactly 10, and users with fewer than 10 whose swipes would move the rate.

CREATE TABLE swipes (
    user_id        INTEGER NOT NULL,
    swiped_at      TIMESTAMP NOT NULL,
    is_right_swipe BOOLEAN NOT NULL,
    variant        VARCHAR NOT NULL
);

INSERT INTO swipes VALUES
    -- user 1 (A): 12 swipes, the last two (right) fall outside the first 10
    (1, TIMESTAMP '2024-07-01 09:00:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:03:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:06:07', false, 'A'),
    (1, TIMESTAMP '2024-07-01 09:09:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:12:07', false, 'A'),
    (1, TIMESTAMP '2024-07-01 09:15:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:18:07', false, 'A'),
    (1, TIMESTAMP '2024-07-01 09:21:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:24:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:27:07', false, 'A'),
    (1, TIMESTAMP '2024-07-01 09:30:07', true , 'A'),
    (1, TIMESTAMP '2024-07-01 09:33:07', true , 'A'),
    -- user 2 (A): exactly 10 swipes
    (2, TIMESTAMP '2024-07-01 20:00:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:03:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:06:14', true , 'A'),
    (2, TIMESTAMP '2024-07-01 20:09:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:12:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:15:14', true , 'A'),
    (2, TIMESTAMP '2024-07-01 20:18:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:21:14', false, 'A'),
    (2, TIMESTAMP '2024-07-01 20:24:14', true , 'A'),
    (2, TIMESTAMP '2024-07-01 20:27:14', false, 'A'),
    -- user 3 (A): only 6 swipes, all right; not eligible
    (3, TIMESTAMP '2024-07-02 08:00:21', true , 'A'),
    (3, TIMESTAMP '2024-07-02 08:03:21', true , 'A'),
    (3, TIMESTAMP '2024-07-02 08:06:21', true , 'A'),
    (3, TIMESTAMP '2024-07-02 08:09:21', true , 'A'),
    (3, TIMESTAMP '2024-07-02 08:12:21', true , 'A'),
    (3, TIMESTAMP '2024-07-02 08:15:21', true , 'A'),
    -- user 4 (B): 11 swipes
    (4, TIMESTAMP '2024-07-01 12:00:28', true , 'B'),
    (4, TIMESTAMP '2024-07-01 12:03:28', false, 'B'),
    (4, TIMESTAMP '2024-07-01 12:06:28', true , 'B'),
    (4, TIMESTAMP '2024-07-01 12:09:28', false, 'B'),
    (4, TIMESTAMP '2024-07-01 12:12:28', true , 'B'),
    (4, TIMESTAMP '2024-07-01 12:15:28', false, 'B'),
    (4, TIMESTAMP '2024-07-01 12:18:28', true , 'B'),
    (4, TIMESTAMP '2024-07-01 12:21:28', false, 'B'),
    (4, TIMESTAMP '2024-07-01 12:24:28', true , 'B'),
    (4, TIMESTAMP '2024-07-01 12:27:28', false, 'B'),
    (4, TIMESTAMP '2024-07-01 12:30:28', true , 'B'),
    -- user 5 (B): exactly 10 swipes
    (5, TIMESTAMP '2024-07-02 18:00:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:03:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:06:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:09:35', false, 'B'),
    (5, TIMESTAMP '2024-07-02 18:12:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:15:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:18:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:21:35', false, 'B'),
    (5, TIMESTAMP '2024-07-02 18:24:35', true , 'B'),
    (5, TIMESTAMP '2024-07-02 18:27:35', true , 'B'),
    -- user 6 (B): only 9 swipes, all left; not eligible
    (6, TIMESTAMP '2024-07-03 07:00:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:03:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:06:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:09:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:12:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:15:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:18:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:21:42', false, 'B'),
    (6, TIMESTAMP '2024-07-03 07:24:42', false, 'B');
