import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of an uploaded file's or pasted text's content: uploading the same content to
 * the same tenant again answers with the document already there (`duplicate_of`) unless
 * forced. Rows from before, and web pages (their content is fetched later), have none.
 */
export class DocumentContentHash1797000501000 implements MigrationInterface {
  name = 'DocumentContentHash1797000501000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE documents ADD COLUMN content_sha256 text
                      CHECK (content_sha256 ~ '^[0-9a-f]{64}$')`);
    await db.query(
      `CREATE INDEX documents_by_content ON documents (tenant_id, content_sha256)
        WHERE content_sha256 IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX documents_by_content`);
    await db.query(`ALTER TABLE documents DROP COLUMN content_sha256`);
  }
}
