/**
 * The peers' storage, written the way a NestJS or node:http user writes it: better-sqlite3 in WAL
 * mode (synchronous NORMAL, as the embedded engine), one table of todos and one metrics row that
 * every create updates in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

export interface PeerTodo {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PeerMetrics {
  total: number;
  completed: number;
  active: number;
}

export class TodoStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly bump: Database.Statement;
  private readonly byId: Database.Statement<[string], { body: string }>;
  private readonly all: Database.Statement<[], { body: string }>;
  private readonly metricsRow: Database.Statement<[], PeerMetrics>;
  private readonly createTx: (todo: PeerTodo) => PeerMetrics;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS metrics (id INTEGER PRIMARY KEY, total INTEGER NOT NULL, completed INTEGER NOT NULL, active INTEGER NOT NULL);
      INSERT OR IGNORE INTO metrics VALUES (1, 0, 0, 0);`);
    this.insert = this.db.prepare('INSERT INTO todos (id, created_at, body) VALUES (?, ?, ?)');
    this.bump = this.db.prepare('UPDATE metrics SET total = total + 1, active = active + 1 WHERE id = 1');
    this.byId = this.db.prepare('SELECT body FROM todos WHERE id = ?');
    this.all = this.db.prepare('SELECT body FROM todos ORDER BY created_at, id');
    this.metricsRow = this.db.prepare('SELECT total, completed, active FROM metrics WHERE id = 1');
    this.createTx = this.db.transaction((todo: PeerTodo) => {
      this.insert.run(todo.id, todo.createdAt, JSON.stringify(todo));
      this.bump.run();
      return this.metricsRow.get() as PeerMetrics;
    });
  }

  /** Inserts the todo and bumps the metrics in one transaction; returns both. */
  create(title: string): { todo: PeerTodo; metrics: PeerMetrics } {
    const now = new Date().toISOString();
    const todo: PeerTodo = { id: randomUUID(), title, completed: false, createdAt: now, updatedAt: now };
    return { todo, metrics: this.createTx(todo) };
  }

  get(id: string): PeerTodo | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : (JSON.parse(row.body) as PeerTodo);
  }

  list(): PeerTodo[] {
    return this.all.all().map((row) => JSON.parse(row.body) as PeerTodo);
  }

  metrics(): PeerMetrics {
    return this.metricsRow.get() as PeerMetrics;
  }

  close(): void {
    this.db.close();
  }
}
