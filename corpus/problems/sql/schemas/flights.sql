-- One row per flight, upper-case airport codes. Routes flown in both directions with unequal
-- counts, routes flown one way only, and routes that tie on the total count.

CREATE TABLE flights (
    id             INTEGER PRIMARY KEY,
    origin         VARCHAR NOT NULL,
    destination    VARCHAR NOT NULL,
    departure_date DATE NOT NULL,
    carrier        VARCHAR NOT NULL
);

INSERT INTO flights VALUES
    ( 1, 'JFK', 'LAX', DATE '2024-05-01', 'AA'),
    ( 2, 'LAX', 'JFK', DATE '2024-05-01', 'AA'),
    ( 3, 'JFK', 'LAX', DATE '2024-05-02', 'DL'),
    ( 4, 'LAX', 'JFK', DATE '2024-05-03', 'DL'),
    ( 5, 'JFK', 'LAX', DATE '2024-05-04', 'UA'),
    ( 6, 'SFO', 'SEA', DATE '2024-05-01', 'AS'),
    ( 7, 'SEA', 'SFO', DATE '2024-05-02', 'AS'),
    ( 8, 'SFO', 'SEA', DATE '2024-05-03', 'AS'),
    ( 9, 'ORD', 'BOS', DATE '2024-05-01', 'UA'),
    (10, 'BOS', 'ORD', DATE '2024-05-02', 'UA'),
    (11, 'BOS', 'ORD', DATE '2024-05-05', 'AA'),
    (12, 'MIA', 'ATL', DATE '2024-05-01', 'DL'),
    (13, 'MIA', 'ATL', DATE '2024-05-08', 'DL'),
    (14, 'DEN', 'PHX', DATE '2024-05-02', 'WN'),
    (15, 'ATL', 'MIA', DATE '2024-05-09', 'DL'),
    (16, 'AUS', 'DAL', DATE '2024-05-03', 'WN'),
    (17, 'SEA', 'ANC', DATE '2024-05-06', 'AS');
