/** The source files of a generated module (entity, DTOs, service, controller, reactions, module). */
import type { ModuleNames } from './names';

/** `NOTES_SCOPE`, `NOTES_STREAM`, … of a module. */
function constants(n: ModuleNames): { scope: string; stream: string; group: string; titleMax: string } {
  return {
    scope: `${n.constant}_SCOPE`,
    stream: `${n.constant}_STREAM`,
    group: `${n.constant}_GROUP`,
    titleMax: `${n.constant}_TITLE_MAX_LENGTH`,
  };
}

export function entitySource(n: ModuleNames): string {
  const c = constants(n);
  return `/** A ${n.entityKebab} as stored in state scope \`${n.kebab}\` (key = id) and mirrored to stream \`${n.stream}\`, group \`all\`. */
export interface ${n.entity} {
  id: string;
  title: string;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
}

/** State scope holding the ${n.kebab}, one key per ${n.entityKebab}. */
export const ${c.scope} = '${n.kebab}';
/** Stream the reactions mirror the scope to, and the group every ${n.entityKebab} is in. */
export const ${c.stream} = '${n.stream}';
export const ${c.group} = 'all';

export const ${c.titleMax} = 200;

/** Whether a stored value looks like a ${n.entityKebab} (state may hold anything another worker wrote). */
export function is${n.entity}(value: unknown): value is ${n.entity} {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.title === 'string' && typeof v.createdAt === 'string' && typeof v.updatedAt === 'string';
}
`;
}

export function createDtoSource(n: ModuleNames): string {
  const c = constants(n);
  return `import { IsString, Length, Matches } from 'class-validator';
import { ${c.titleMax} } from '../${n.entityKebab}.entity';

/** Body of \`POST /${n.kebab}\`: validated by the framework; unknown fields are refused (400). */
export class Create${n.entity}Dto {
  @IsString()
  @Length(1, ${c.titleMax})
  @Matches(/\\S/, { message: 'title must not be blank' })
  title!: string;
}
`;
}

export function updateDtoSource(n: ModuleNames): string {
  const c = constants(n);
  return `import { IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ${c.titleMax} } from '../${n.entityKebab}.entity';

/**
 * Body of \`PATCH /${n.kebab}/:id\`; every field optional. \`ValidateIf(value !== undefined)\` rather than
 * \`IsOptional()\`, which would let \`null\` through.
 */
export class Update${n.entity}Dto {
  @ValidateIf((_dto: Update${n.entity}Dto, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, ${c.titleMax})
  @Matches(/\\S/, { message: 'title must not be blank' })
  title?: string;
}
`;
}

export function serviceSource(n: ModuleNames): string {
  const c = constants(n);
  return `import { randomUUID } from 'crypto';
import { Injectable, NotFoundException, StateService, type StateScope, type UpdateOp } from '#framework';
import type { Create${n.entity}Dto } from './dto/create-${n.entityKebab}.dto';
import type { Update${n.entity}Dto } from './dto/update-${n.entityKebab}.dto';
import { is${n.entity}, ${c.scope}, type ${n.entity} } from './${n.entityKebab}.entity';

/**
 * The ${n.kebab} live in state scope \`${n.kebab}\`, one key per ${n.entityKebab}. The service only writes
 * state: the live stream is a reaction to those writes (${n.kebab}.reactions.ts).
 */
@Injectable()
export class ${n.pascal}Service {
  private readonly store: StateScope<${n.entity}>;

  constructor(state: StateService) {
    this.store = state.scope<${n.entity}>(${c.scope});
  }

  async create(dto: Create${n.entity}Dto): Promise<${n.entity}> {
    const now = new Date().toISOString();
    const created: ${n.entity} = { id: randomUUID(), title: dto.title, createdAt: now, updatedAt: now };
    await this.store.set(created.id, created);
    return created;
  }

  async findAll(): Promise<${n.entity}[]> {
    const values = await this.store.list();
    return values.filter(is${n.entity}).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async findOne(id: string): Promise<${n.entity}> {
    const found = await this.store.get(id);
    if (!is${n.entity}(found)) throw notFound(id);
    return found;
  }

  /** Field-level update ops, so concurrent PATCHes of different fields both land. */
  async update(id: string, dto: Update${n.entity}Dto): Promise<${n.entity}> {
    const current = await this.findOne(id);
    const ops: UpdateOp[] = [];
    if (dto.title !== undefined) ops.push({ type: 'set', path: 'title', value: dto.title });
    if (ops.length === 0) return current;
    ops.push({ type: 'set', path: 'updatedAt', value: new Date().toISOString() });
    const result = await this.store.update(id, ops);
    if (!is${n.entity}(result.old_value)) {
      // Deleted between the read and the update, which recreated a partial record: undo it.
      await this.store.delete(id);
      throw notFound(id);
    }
    return result.new_value;
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    const deleted = await this.store.delete(id);
    if (deleted === undefined) throw notFound(id);
    return { id, deleted: true };
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(\`${n.entity} \${JSON.stringify(id)} not found\`);
}
`;
}

export function controllerSource(n: ModuleNames): string {
  return `import { Body, Controller, Delete, Get, Param, Patch, Post } from '#framework';
import { Create${n.entity}Dto } from './dto/create-${n.entityKebab}.dto';
import { Update${n.entity}Dto } from './dto/update-${n.entityKebab}.dto';
import type { ${n.entity} } from './${n.entityKebab}.entity';
import { ${n.pascal}Service } from './${n.kebab}.service';

/** REST API of the ${n.kebab} (functions \`${n.kebab}::create\`, \`${n.kebab}::find-all\`, …); bodies are validated by the framework. */
@Controller('${n.kebab}')
export class ${n.pascal}Controller {
  constructor(private readonly service: ${n.pascal}Service) {}

  @Post()
  create(@Body() dto: Create${n.entity}Dto): Promise<${n.entity}> {
    return this.service.create(dto);
  }

  @Get()
  findAll(): Promise<${n.entity}[]> {
    return this.service.findAll();
  }

  @Get(':id')
  findOne(@Param('id') id: string): Promise<${n.entity}> {
    return this.service.findOne(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() dto: Update${n.entity}Dto): Promise<${n.entity}> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  remove(@Param('id') id: string): Promise<{ id: string; deleted: true }> {
    return this.service.remove(id);
  }
}
`;
}

export function reactionsSource(n: ModuleNames): string {
  const c = constants(n);
  return `import { Controller, Event, OnStateChange, Stream, type StateChangeEvent } from '#framework';
import { ${c.group}, ${c.scope}, ${c.stream}, type ${n.entity} } from './${n.entityKebab}.entity';

const itemId = (_result: ${n.entity}, event: StateChangeEvent<${n.entity}>): string => event.key;
const isDeletion = (_result: ${n.entity}, event: StateChangeEvent<${n.entity}>): boolean => event.event_type === 'state:deleted';

/**
 * Mirrors state scope \`${n.kebab}\` into stream \`${n.stream}\`, group \`all\`: subscribers get a \`sync\` with
 * every ${n.entityKebab} when they join, then \`create\` / \`update\` / \`delete\` in write order. A reactions
 * class is a controller: list it in its module's \`controllers\`.
 */
@Controller('${n.stream}')
export class ${n.pascal}Reactions {
  @OnStateChange(${c.scope})
  @Stream<${n.entity}, StateChangeEvent<${n.entity}>>(${c.stream}, { group: ${c.group}, mode: 'item', id: itemId, delete: isDeletion })
  mirror(@Event() event: StateChangeEvent<${n.entity}>): ${n.entity} | undefined {
    // Deleting a key that never existed still fires an event, with nothing to mirror.
    return event.new_value ?? event.old_value ?? undefined;
  }
}
`;
}

export function moduleSource(n: ModuleNames): string {
  return `import { Module } from '#framework';
import { ${n.pascal}Controller } from './${n.kebab}.controller';
import { ${n.pascal}Reactions } from './${n.kebab}.reactions';
import { ${n.pascal}Service } from './${n.kebab}.service';

/** The ${n.kebab}: REST API, state scope \`${n.kebab}\`, live stream \`${n.stream}\`. */
@Module({
  controllers: [${n.pascal}Controller, ${n.pascal}Reactions],
  providers: [${n.pascal}Service],
  exports: [${n.pascal}Service],
})
export class ${n.pascal}Module {}
`;
}
