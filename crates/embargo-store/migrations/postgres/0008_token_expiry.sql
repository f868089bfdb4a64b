-- API tokens expire (the lifetime is chosen when one is created, 90 days by default). A
-- token from before this had none: it now lasts 90 days past its last use (or its creation),
-- so tokens in use keep working a while and forgotten ones end.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens
   SET expires_at = GREATEST(created_at, COALESCE(last_used_at, created_at)) + 7776000000000
 WHERE expires_at IS NULL;
