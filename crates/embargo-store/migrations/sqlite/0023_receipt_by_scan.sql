-- A reporter's receipt is random, so its index took a page of its own for every report
-- filed: the last of the three random pages intake wrote per report (the portal link's and
-- the reply token's keys begin with their time since this version). Receipts are searched
-- seldom (a coordinator pasting one from a reporter's mail), and a new case's receipt is
-- the end of its id: the search reads the primary key's index whole instead (about 10 ms
-- at 100,000 cases). An older case's receipt is the start of its id, found in that index
-- by range. The column stays, so that backups keep their shape.
DROP INDEX cases_by_receipt;
